"""Files the operator names on the command line (exports, backups).

They never land on a file the app owns, never replace anything without
--force, and are written beside the target and moved into place whole: a full
disk or a crash leaves the old file or none, never half a file. What goes wrong
comes back as one sentence (Refused), for the command to print.
"""

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


class Refused(Exception):
    """Why nothing was written or changed, in one sentence."""


# What an OS error means to someone who typed a file name.
REASONS = {
    errno.ENOENT: "its folder does not exist",
    errno.ENOTDIR: "part of that path is a file, not a folder",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would be larger than this system allows",
    errno.EROFS: "the disk is read-only",
    errno.EISDIR: "it is a folder",
    errno.ELOOP: "its links go round in a loop",
    errno.ENAMETOOLONG: "the name is too long",
}


def reason(error: OSError) -> str:
    return REASONS.get(error.errno, error.strerror or str(error))


def owned_by_app(path: Path, database: str, instance: str) -> str | None:
    """Why `path` is the app's own file, or None.

    Compared after following links (resolve) and by inode (samefile), so that
    neither a symlink nor a hard link to the database or the key gets through.
    """
    try:
        target = path.resolve()
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop
        raise Refused(f"Could not follow {path}: {error}.") from None
    live = Path(database).resolve()
    folder = Path(instance).resolve()
    if target == live:
        return f"{path} is PupilVoice's live database; choose another file."
    # -wal, -shm, -journal, the serving lock and the copies kept aside by
    # restore all start with the database's own name.
    if target.parent == live.parent and target.name.startswith(live.name):
        return (
            f"{path} is one of the files PupilVoice keeps beside its database; "
            "choose another file."
        )
    if target == folder or folder in target.parents:
        return (
            f"{path} is in PupilVoice's instance folder ({folder}), which only "
            "PupilVoice writes to; choose another place."
        )
    owned = [
        live,
        *(Path(f"{live}{suffix}") for suffix in ("-wal", "-shm", "-journal")),
        folder / "secret_key",
    ]
    for mine in owned:
        try:
            same = os.path.samefile(path, mine)
        except OSError:
            continue
        if same:
            return f"{path} is another name for {mine}, which PupilVoice owns; choose another file."
    return None


def check_target(path: Path, force: bool, database: str, instance: str) -> None:
    """Refuse, before anything is written, a target that must not be written."""
    owner = owned_by_app(path, database, instance)
    if owner:
        raise Refused(owner)
    if os.path.lexists(path):
        if path.is_dir():
            raise Refused(f"{path} is a folder; give a file name.")
        if not path.is_file():
            raise Refused(f"{path} is not a regular file; give a file name.")
        if not force:
            raise Refused(f"{path} already exists; add --force to replace it.")
    elif not path.parent.is_dir():
        if os.path.lexists(path.parent):
            raise Refused(f"Could not write {path}: {path.parent} is not a folder.")
        raise Refused(
            f"Could not write {path}: the folder {path.parent} does not exist."
        )


def replace_with(path: Path, fill: Callable[[Path], None]) -> None:
    """Have `fill` write a new file beside `path`, then move it into place.

    The new file is made readable by its owner only: it holds children's words.
    An OS error becomes Refused; anything else `fill` raises passes through.
    Either way the partial file is removed.
    """
    try:
        handle, name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".partial"
        )
        os.close(handle)
    except OSError as error:
        raise Refused(f"Could not write {path}: {reason(error)}.") from None
    partial = Path(name)
    try:
        fill(partial)
        os.replace(partial, path)
    except OSError as error:
        raise Refused(
            f"Could not write {path}: {reason(error)}; nothing was written."
        ) from None
    finally:
        # SQLite may leave its journal beside a copy it could not finish.
        for leftover in (partial, Path(f"{partial}-journal")):
            leftover.unlink(missing_ok=True)


def write_synced(path: Path, data: bytes) -> None:
    # Synced before it is moved into place, so a crash cannot leave an empty
    # file where the old one was.
    with open(path, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
