"""Analysis runs in the application: read a wave from the database, run analysis/, store its profile snapshots."""
