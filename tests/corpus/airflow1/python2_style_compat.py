# -*- coding: utf-8 -*-
"""Valid Python 3, but written by a team that still supported Python 2.7 (Airflow 1.10).

Exercises: `from __future__ import ...`, `from builtins import range, str`,
`class X(object)`, old-style super(), u'' literals, %-formatting, `dict.items()` over
copies, `io.open` with encoding, and a `# -*- coding -*-` cookie.
"""
from __future__ import absolute_import, division, print_function, unicode_literals

import io
import logging
from builtins import range, str
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import BaseOperator
from airflow.operators.python_operator import PythonOperator
from airflow.utils.decorators import apply_defaults

log = logging.getLogger(__name__)


class Thresholds(object):
    """Plain settings holder, py2 style."""

    def __init__(self, low, high):
        self.low = low
        self.high = high

    def __repr__(self):
        return u"Thresholds(%s, %s)" % (self.low, self.high)


class PrintRangeOperator(BaseOperator):
    @apply_defaults
    def __init__(self, upper, *args, **kwargs):
        super(PrintRangeOperator, self).__init__(*args, **kwargs)
        self.upper = upper

    def execute(self, context):
        for i in range(self.upper):
            print(u"step %d of %d" % (i + 1, self.upper))


def write_summary(**kwargs):
    limits = Thresholds(1, 10)
    path = "/tmp/summary_%s.txt" % kwargs["ds_nodash"]
    with io.open(path, "w", encoding="utf-8") as fh:
        for key, value in list({"limits": limits, "ratio": 7 / 2}.items()):
            fh.write(str("%s=%r\n" % (key, value)))
    log.info(u"wrote %s", path)


dag = DAG(
    dag_id=u"corpus_python2_style_compat",
    start_date=datetime(2018, 6, 1),
    schedule_interval=u"@daily",
    default_args={u"owner": u"legacy", u"retries": 1, u"retry_delay": timedelta(minutes=5)},
    catchup=False,
)

steps = PrintRangeOperator(task_id=u"print_range", upper=3, dag=dag)
summary = PythonOperator(task_id=u"write_summary", python_callable=write_summary, provide_context=True, dag=dag)
steps >> summary
