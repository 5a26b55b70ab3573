"""One Django run of the import bench (spawned by bench/import/run.ts): a fresh SQLite
file, the tables, five publishers, then the timed `import_books FILE`. Prints one JSON
line: rows, seconds, peak RSS in MB.

Usage: python run_import.py FILE.csv DB.sqlite3 BATCH_SIZE
"""
import json
import os
import resource
import sys
import time

import django
from django.conf import settings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
CSV, DB_PATH, BATCH_SIZE = sys.argv[1], sys.argv[2], sys.argv[3]
settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DB_PATH}},
    INSTALLED_APPS=["bookimport"],
    USE_TZ=True,
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()

from django.core.management import call_command  # noqa: E402  (needs django.setup())

from bookimport.models import Book, Publisher  # noqa: E402

call_command("migrate", run_syncdb=True, verbosity=0)
for name in ["Acme Press", "Blue Door", "Cloud Books", "Delta House", "Evergreen"]:
    Publisher.objects.create(name=name)
started = time.perf_counter()
call_command("import_books", CSV, batch_size=int(BATCH_SIZE))
seconds = time.perf_counter() - started
# ru_maxrss is in kB on Linux.
print(json.dumps({"rows": Book.objects.count(), "seconds": seconds, "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
