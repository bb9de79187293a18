"""Results back to residents and open data: the public pages per wijk and the open-data API of published waves."""
