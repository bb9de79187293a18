"""The job queue: analysis runs and import jobs are tasks on huey, done by `flask worker`, never inside a request."""
