def ingest_files(spark, config, paths): raise NotImplementedError
