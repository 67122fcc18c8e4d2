# Airflow 2 of the default target profile (target_profiles/airflow-2.10.5): the official image with the
# profile's providers at the profile's exact versions, so DAGs behave as in `cli.py test`.
FROM apache/airflow:2.10.5-python3.11

COPY target_profiles/airflow-2.10.5/requirements.txt target_profiles/airflow-2.10.5/constraints.txt /opt/profile/
RUN pip install --no-cache-dir -r /opt/profile/requirements.txt -c /opt/profile/constraints.txt
