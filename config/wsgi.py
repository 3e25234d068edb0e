import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Import every view now (in gunicorn's master with --preload), not on a user's first request.
get_resolver().url_patterns  # noqa: B018
