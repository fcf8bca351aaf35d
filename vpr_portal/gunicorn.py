"""The web server's settings, one place for every way the portal is served by gunicorn (the image, docker-compose,
the fault tests, the region bench): `gunicorn -c python:vpr_portal.gunicorn vpr_portal.wsgi:application`.
Options on the command line override them (the tests' own port and number of workers).

- WEB_WORKERS (5: (2 × cores) + 1 for the 2 cores the portal is sized for) processes of WEB_THREADS (2) threads
  each (gthread): a request waiting on the database does not hold a whole process. Two threads rather than four:
  the threads of a process share one interpreter lock, and with four the slowest twentieth of the region bench's
  answers took 1.5 times the median instead of 1.25, for the same answers a second.
- A process takes only as many connections as it has threads to answer them now (`worker_connections`), and
  closes each after its answer (`keepalive = 0`, as a proxy in front talks to it anyway). The others wait in the
  kernel's queue and go to the first process with a free thread: a process that took more than it could answer
  kept them waiting behind each other while another process idled, which made every twentieth page of the
  region bench three to four times slower than the median (50 users: p95 0.8 s at a median of 0.18 s).
- The access log has the path without its query string and no referrer: searches for pupils' names stay out
  of the logs (R11).
"""

import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", "5"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "2"))
worker_connections = threads
keepalive = 0
timeout = 60
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)s'
