"""Two-step sign-in: a code from an authenticator app (TOTP), or a recovery code."""

import hmac
import secrets
import time

import pyotp
import segno
from sqlite_utils import Database

from .db import utcnow
from .passwords import check_password, hash_password

ISSUER = "PupilVoice"


def new_secret() -> str:
    return pyotp.random_base32()


def qr_svg(secret: str, email: str) -> bytes:
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_inline(scale=5).encode()


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step the code belongs to, or None if it is not right now."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    current = int(now) // totp.interval
    # One step either side allows for a tablet clock a little out.
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def use_code(db: Database, staff_id: int, secret: str, code: str) -> bool:
    """Accept a code once: never again, nor any code from an earlier step.

    The check and the update are one statement, so two sign-ins racing with
    the same code cannot both succeed.
    """
    step = matching_step(secret, code)
    if step is None:
        return False
    cursor = db.execute(
        "UPDATE staff SET totp_last_step = ? WHERE id = ? "
        "AND (totp_last_step IS NULL OR totp_last_step < ?)",
        [step, staff_id, step],
    )
    return cursor.rowcount == 1


def enable(db: Database, staff_id: int, secret: str, step: int) -> list[str]:
    """Turn two-step on and return ten recovery codes, shown once only. The
    code that proved the app works is used up, like any other."""
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(10)]
    with db.atomic():
        db["staff"].update(
            staff_id,
            {
                "totp_secret": secret,
                "totp_enabled_at": utcnow(),
                "totp_last_step": step,
            },
        )
        db.execute("DELETE FROM recovery_codes WHERE staff_id = ?", [staff_id])
        db["recovery_codes"].insert_all(
            {"staff_id": staff_id, "code_hash": hash_password(code)} for code in codes
        )
    return codes


def use_recovery_code(db: Database, staff_id: int, code: str) -> bool:
    code = code.strip().lower()
    for row in db.query(
        "SELECT * FROM recovery_codes WHERE staff_id = ? AND used_at IS NULL",
        [staff_id],
    ):
        if check_password(row["code_hash"], code):
            # Marked used only if nobody else used it in the meantime.
            cursor = db.execute(
                "UPDATE recovery_codes SET used_at = ? WHERE id = ? AND used_at IS NULL",
                [utcnow(), row["id"]],
            )
            return cursor.rowcount == 1
    return False
