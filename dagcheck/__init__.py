"""The test stage: checks that prove each converted DAG in a real Airflow 2 runtime."""
