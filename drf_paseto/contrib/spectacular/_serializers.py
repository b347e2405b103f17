"""The bodies that drf_paseto's views send and receive, as serializers for the schema."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from drf_paseto.sessions import SessionSerializer
from drf_paseto.settings import api_settings


class TokenPairSerializer(serializers.Serializer[Any]):
    """A new login session: a fresh access token and its refresh token."""

    access_token = serializers.CharField(help_text="A PASETO access token (fresh after login).")
    refresh_token = serializers.CharField(help_text="A PASETO refresh token.")


class AccessTokenSerializer(serializers.Serializer[Any]):
    """A new access token, never fresh."""

    access_token = serializers.CharField(help_text="A PASETO access token (not fresh).")


class TokenVerifyResponseSerializer(serializers.Serializer[Any]):
    """The token would be accepted: its type and when it expires."""

    token_type = serializers.CharField(help_text='The token\'s type: "access", "refresh", …')
    expires_at = serializers.DateTimeField(help_text="The token's ``exp`` claim (ISO 8601).")


class PublicKeySerializer(serializers.Serializer[Any]):
    """A public key that verifies our v4.public / v3.public tokens, as PASERK."""

    kid = serializers.CharField(help_text="The key's PASERK id (the tokens' footer ``kid``).")
    paserk = serializers.CharField(help_text="The public key as PASERK (k4.public.…).")
    version = serializers.CharField(help_text='The PASETO version: "v4" or "v3".')
    purpose = serializers.CharField(help_text='Always "public".')
    current = serializers.BooleanField(help_text="Whether new tokens are signed with it.")


class PublicKeysResponseSerializer(serializers.Serializer[Any]):
    """The public keys; empty with the local purpose (local keys are never shown)."""

    keys = PublicKeySerializer(many=True)


class ErrorSerializer(serializers.Serializer[Any]):
    """Every drf_paseto error: a translatable message and a stable machine-readable code."""

    detail = serializers.CharField(help_text="A human-readable, translatable message.")
    code = serializers.CharField(help_text="A stable code, e.g. token_expired.")


class ValidationErrorSerializer(ErrorSerializer):
    """400: ``invalid_request`` with the fields' errors, or ``parse_error`` without."""

    # A declared field, which DRF's metaclass takes out of the class: Serializer.errors stays.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field name → its error messages (invalid_request only).",
    )


class LogoutSerializer(serializers.Serializer[Any]):
    """The session's token in the JSON body, for clients that do not send the header."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[api_settings.REFRESH_JSON_KEY] = serializers.CharField(
            required=False,
            write_only=True,
            help_text="An access or a refresh token of the session, when not in the header.",
        )


class SessionListSerializer(serializers.Serializer[Any]):
    sessions = serializers.ListField(child=SessionSerializer())


class IntrospectRequestSerializer(serializers.Serializer[Any]):
    """RFC 7662's request: the token, as a form field (or in a JSON body)."""

    token = serializers.CharField(write_only=True, help_text="The access token to judge.")
    token_type_hint = serializers.CharField(
        required=False, write_only=True, help_text='Ignored ("access_token" is assumed).'
    )


class IntrospectResponseSerializer(serializers.Serializer[Any]):
    """RFC 7662's answer; only ``active`` when it is false."""

    active = serializers.BooleanField(help_text="Whether the issuer accepts the token now.")
    sub = serializers.CharField(required=False, help_text="The token's subject.")
    token_type = serializers.CharField(required=False, help_text='Always "access".')
    jti = serializers.CharField(required=False, help_text="The token's id.")
    sid = serializers.CharField(required=False, help_text="Its login session.")
    iat = serializers.IntegerField(required=False, help_text="Issued at (seconds since 1970).")
    exp = serializers.IntegerField(required=False, help_text="Expires (seconds since 1970).")
    fresh = serializers.BooleanField(required=False, help_text="Whether the token is fresh.")
