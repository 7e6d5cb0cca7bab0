"""The web server's entry point: gunicorn serves ``config.wsgi:application`` (README, "Production").

It runs the production settings unless DJANGO_SETTINGS_MODULE names others; they refuse to start
without a secret key.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
