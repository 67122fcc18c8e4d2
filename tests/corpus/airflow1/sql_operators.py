# -*- coding: utf-8 -*-
"""SQL operators and check operators of 1.10 core.

Exercises: PostgresOperator(postgres_conn_id=, parameters=, database=, autocommit=),
MySqlOperator(mysql_conn_id=, database=, sql list), CheckOperator / ValueCheckOperator /
IntervalCheckOperator from airflow.operators.check_operator (conn_id=),
GenericTransfer (postgres -> mysql), `from airflow.operators import postgres_operator` as module.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators import postgres_operator
from airflow.operators.check_operator import CheckOperator, IntervalCheckOperator, ValueCheckOperator
from airflow.operators.generic_transfer import GenericTransfer
from airflow.operators.mysql_operator import MySqlOperator

default_args = {
    "owner": "dba",
    "start_date": datetime(2020, 1, 1),
    "retries": 2,
    "retry_delay": timedelta(minutes=3),
    "postgres_conn_id": "ops_db",  # picked up by every PostgresOperator
}

dag = DAG("corpus_sql_operators", default_args=default_args, schedule_interval="0 2 * * *", catchup=False)

stage = postgres_operator.PostgresOperator(
    task_id="stage_orders",
    sql="INSERT INTO stage.orders SELECT * FROM public.orders WHERE day = %(day)s",
    parameters={"day": "{{ ds }}"},
    database="shop",
    autocommit=True,
    dag=dag,
)

check_not_empty = CheckOperator(
    task_id="check_not_empty",
    conn_id="ops_db",
    sql="SELECT COUNT(*) FROM stage.orders WHERE day = '{{ ds }}'",
    dag=dag,
)
check_total = ValueCheckOperator(
    task_id="check_total",
    conn_id="ops_db",
    sql="SELECT COUNT(DISTINCT currency) FROM stage.orders WHERE day = '{{ ds }}'",
    pass_value=3,
    dag=dag,
)
check_interval = IntervalCheckOperator(
    task_id="check_interval",
    conn_id="ops_db",
    table="stage.orders",
    metrics_thresholds={"COUNT(*)": 2.0},
    days_back=7,
    date_filter_column="day",
    dag=dag,
)

copy_to_mysql = GenericTransfer(
    task_id="copy_to_reporting_mysql",
    sql="SELECT id, day, total FROM stage.orders WHERE day = '{{ ds }}'",
    destination_table="orders_daily",
    source_conn_id="ops_db",
    destination_conn_id="reporting_mysql",
    preoperator="DELETE FROM orders_daily WHERE day = '{{ ds }}'",
    dag=dag,
)

optimize = MySqlOperator(
    task_id="optimize_mysql",
    mysql_conn_id="reporting_mysql",
    database="reporting",
    sql=["ANALYZE TABLE orders_daily", "OPTIMIZE TABLE orders_daily"],
    dag=dag,
)

stage >> [check_not_empty, check_total, check_interval] >> copy_to_mysql >> optimize
