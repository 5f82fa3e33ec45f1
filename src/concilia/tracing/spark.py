"""A local Spark session set up for Splink (its Jaro–Winkler UDFs live in a jar)."""

from __future__ import annotations

import tempfile
from typing import Any

import pandas as pd


def local_session(cores: int = 2, memory: str = "2g") -> Any:
    """A local-mode Spark session with Splink's similarity jar and a checkpoint directory."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    spark = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("concilia-tracing")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="concilia-spark-"))
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def to_spark(spark: Any, df: pd.DataFrame) -> Any:
    """A Spark DataFrame with an explicit schema (pandas object columns are ambiguous)."""
    from pyspark.sql import types as T

    fields = []
    for name, dtype in df.dtypes.items():
        col = str(name)
        if str(dtype).startswith("float"):
            spark_type: Any = T.DoubleType()
        elif str(dtype).startswith("int"):
            spark_type = T.LongType()
        elif col in _ARRAY_COLUMNS:
            spark_type = T.ArrayType(T.StringType())
        else:
            spark_type = T.StringType()
        fields.append(T.StructField(col, spark_type, True))
    records = []
    for row in df.itertuples(index=False, name=None):
        records.append(tuple(_clean(v) for v in row))
    return spark.createDataFrame(records, schema=T.StructType(fields))


_ARRAY_COLUMNS = {
    "family_tokens",
    "name_tokens",
    "phones",
    "emails",
    "handle_keys",
    "block_keys",
    "said_cities",
    "post_cities",
    "friends_many",
    "friends_some",
    "friends_any",
    "friends_near",
    "friends_around",
    "friends_cells",
    "cells_around",
    "mail_surnames",
    "places",
    "places_small",
    "cells",
}


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "tolist"):
        return value.tolist()
    return value
