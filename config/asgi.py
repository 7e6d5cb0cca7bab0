"""``application`` for an ASGI server; the portal is served by WSGI (config/wsgi.py), this is for
local trials with an async server, hence the local settings by default."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

application = get_asgi_application()
