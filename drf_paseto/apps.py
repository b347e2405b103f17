from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DrfPasetoConfig(AppConfig):
    name = "drf_paseto"
    verbose_name = _("PASETO authentication")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing registers the system checks and the settings-reload receiver.
        from drf_paseto import checks, settings  # noqa: F401
