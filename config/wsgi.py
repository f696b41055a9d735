import os

from django.core.wsgi import get_wsgi_application

# Production unless told otherwise: only manage.py and `make run` default to local settings,
# so a deployment can never run with DEBUG by mistake.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
