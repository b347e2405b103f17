import importlib.util

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DrfPasetoConfig(AppConfig):
    name = "drf_paseto"
    verbose_name = _("PASETO authentication")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save, pre_delete, pre_save

        # Importing registers the system checks and the settings-reload receiver.
        from drf_paseto import checks, receivers, settings  # noqa: F401

        user_model = get_user_model()
        pre_save.connect(
            receivers.user_saving, sender=user_model, dispatch_uid="drf_paseto.user_saving"
        )
        post_save.connect(
            receivers.user_saved, sender=user_model, dispatch_uid="drf_paseto.user_saved"
        )
        pre_delete.connect(
            receivers.user_deleting, sender=user_model, dispatch_uid="drf_paseto.user_deleting"
        )

        # WebSockets of a revoked session are told at once (the "channels" extra).
        if importlib.util.find_spec("channels") is not None:
            from drf_paseto.channels import notify_session_revoked
            from drf_paseto.signals import session_revoked

            session_revoked.connect(
                notify_session_revoked, dispatch_uid="drf_paseto.notify_session_revoked"
            )

        # The OpenAPI extensions (the "spectacular" extra) register themselves on import.
        try:
            import drf_spectacular  # noqa: F401
        except ImportError:  # pragma: no cover - drf-spectacular is not installed
            pass
        else:
            import drf_paseto.contrib.spectacular  # noqa: F401
