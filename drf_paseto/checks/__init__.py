"""System checks, one module per concern, one id per kind of mistake (docs/checks.md).

Errors: ``E001`` not a setting, ``E002`` a removed setting, ``E003`` a setting of the wrong
type or value, ``E004`` a setting naming something that does not exist, ``E005`` unusable
keys, ``E006`` settings that contradict each other, ``E007`` a missing package, ``E008`` a
revocation cache that cannot hold revocations, ``E009`` a view that refuses every request,
``E010`` an async-only class on a view that cannot await it.
Warnings: ``W001``-``W012``. Runtime code assumes these checks passed. Importing this
package registers them all (``DrfPasetoConfig.ready()`` does).
"""

from drf_paseto.checks import (  # noqa: F401
    async_views,
    browser,
    keys,
    login,
    names,
    revocation,
    views,
)

__all__: list[str] = []
