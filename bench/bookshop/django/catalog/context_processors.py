"""The bookshop's siteInfo context processor (examples/bookshop/context-processors.ts)."""
import datetime

from django.conf import settings


def site_info(request):
    return {
        "site_name": settings.SITE_NAME,
        "year": datetime.date.today().year,
    }
