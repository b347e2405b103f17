import importlib.util

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

__all__ = [
    "DrfPasetoConfig",
]


class DrfPasetoConfig(AppConfig):
    name = "drf_paseto"
    verbose_name = _("PASETO authentication")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import class_prepared

        # Importing registers the system checks and the settings-reload receiver.
        from drf_paseto import checks, receivers, settings  # noqa: F401

        # Django sends the model signals with the instance's own class as the sender, so the
        # receivers are connected for the user model and for each proxy and multi-table child
        # of it, now and as later ones are defined (not for every model: a pre_delete receiver
        # for all senders would turn off Django's fast deletes project-wide).
        for model in apps.get_models():
            receivers._connect_user_model(model)
        class_prepared.connect(
            receivers._user_model_prepared, dispatch_uid="drf_paseto.user_model_prepared"
        )

        # WebSockets of a revoked session are told at once (the "channels" extra).
        if importlib.util.find_spec("channels") is not None:
            from drf_paseto.channels import _notify_session_revoked
            from drf_paseto.signals import session_revoked

            session_revoked.connect(
                _notify_session_revoked, dispatch_uid="drf_paseto.notify_session_revoked"
            )

        # The OpenAPI extensions (the "spectacular" extra) register themselves on import.
        try:
            import drf_spectacular  # noqa: F401
        except ImportError:  # pragma: no cover - drf-spectacular is not installed
            pass
        else:
            import drf_paseto.contrib.spectacular  # noqa: F401
