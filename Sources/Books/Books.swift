// Books module: see docs/ and ARCHITECTURE for its one job.
