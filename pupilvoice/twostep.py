"""Two-step sign-in: a code from an authenticator app (TOTP), or a recovery code."""

import secrets

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


def code_is_right(secret: str, code: str) -> bool:
    code = "".join(ch for ch in code if ch.isdigit())
    # One step either side allows for a tablet clock a little out.
    return len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)


def enable(db: Database, staff_id: int, secret: str) -> list[str]:
    """Turn two-step on and return ten recovery codes, shown once only."""
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(10)]
    with db.atomic():
        db["staff"].update(
            staff_id, {"totp_secret": secret, "totp_enabled_at": utcnow()}
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
            db["recovery_codes"].update(row["id"], {"used_at": utcnow()})
            return True
    return False
