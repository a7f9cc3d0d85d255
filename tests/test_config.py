"""Settings in one place: config.py names every setting the app reads, the
README's table names exactly those, and nothing else reads the environment."""

import ast
import re
from pathlib import Path

import pytest

from pupilvoice import create_app
from pupilvoice.config import SETTINGS, Config, SettingError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pupilvoice"


def readme_table() -> dict[str, tuple[str, str]]:
    """variable: (default, what it does), from the README's Configuration table."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        found = re.fullmatch(r"\| `(\w+)` \| (.*) \| (.*) \|", line.strip())
        if found:
            rows[found[1]] = (found[2], found[3])
    return rows


def test_the_readme_lists_exactly_the_settings_in_config():
    table = readme_table()
    assert set(table) == {s.variable for s in SETTINGS}
    for setting in SETTINGS:
        assert table[setting.variable] == (setting.shown, setting.why), setting.variable


def test_each_setting_has_its_own_variable_and_key():
    assert len({s.variable for s in SETTINGS}) == len(SETTINGS)
    assert len({s.name for s in SETTINGS}) == len(SETTINGS)
    assert all(s.variable.startswith("PUPILVOICE_") for s in SETTINGS)


READERS = ("environ", "getenv", "environb", "getenvb")


def _reads_the_environment(path: Path) -> list[int]:
    """Lines using os.environ, os.getenv and the like, however imported."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text()))
        if (
            isinstance(node, ast.Attribute)
            and node.attr in READERS
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        )
        or (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in READERS for alias in node.names)
        )
    ]


def test_only_config_reads_the_environment():
    readers = {
        path.name: lines
        for path in PACKAGE.rglob("*.py")
        if (lines := _reads_the_environment(path))
    }
    assert readers == {"config.py": readers.get("config.py")}
    assert readers["config.py"]


def test_every_variable_the_code_names_is_a_setting():
    named = set()
    for path in [*PACKAGE.rglob("*.py"), ROOT / "scripts" / "run"]:
        named |= set(re.findall(r"\bPUPILVOICE_[A-Z_]+\b", path.read_text()))
    assert named <= {s.variable for s in SETTINGS}, named


def test_defaults_are_what_the_app_runs_with(tmp_path, monkeypatch):
    for setting in SETTINGS:
        monkeypatch.delenv(setting.variable, raising=False)
    monkeypatch.setenv("PUPILVOICE_INSTANCE", str(tmp_path))
    app = create_app()
    for setting in SETTINGS:
        if setting.default is not None:
            assert app.config[setting.name] == setting.default, setting.name
    assert app.config["DATABASE"] == str(tmp_path / "pupilvoice.sqlite3")
    assert app.instance_path == str(tmp_path)
    assert app.config["TRUSTED_HOSTS"] == ["localhost", "127.0.0.1"]


# A value other than the default for each setting, and what the app makes of it.
CHANGED = {
    "PUPILVOICE_DATABASE": ("{tmp}/elsewhere.sqlite3", "{tmp}/elsewhere.sqlite3"),
    "PUPILVOICE_SECRET_KEY": ("k" * 40, "k" * 40),
    "PUPILVOICE_HTTPS": ("1", True),
    "PUPILVOICE_TRUSTED_PROXIES": ("2", 2),
    "PUPILVOICE_TRUSTED_HOSTS": (
        "pv.example.org, .school.test",
        ["pv.example.org", ".school.test"],
    ),
    "PUPILVOICE_BUSY_SECONDS": ("2.5", 2.5),
    "PUPILVOICE_MAX_CONTENT_LENGTH": ("524288", 524288),
    "PUPILVOICE_MAX_FORM_MEMORY_SIZE": ("65536", 65536),
    "PUPILVOICE_MAX_FORM_PARTS": ("300", 300),
    "PUPILVOICE_ANSWER_MAX_CHARS": ("3000", 3000),
    "PUPILVOICE_RETENTION_DAYS": ("30", 30),
    "PUPILVOICE_STAFF_IDLE_MINUTES": ("15", 15),
    "PUPILVOICE_STAFF_ABSOLUTE_HOURS": ("8", 8),
    "PUPILVOICE_PUPIL_IDLE_SECONDS": ("900", 900),
    "PUPILVOICE_PUPIL_WARNING_SECONDS": ("60", 60),
}


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.variable)
def test_each_setting_is_read_from_its_variable(setting, tmp_path, monkeypatch):
    if setting.variable == "PUPILVOICE_INSTANCE":
        monkeypatch.setenv(setting.variable, str(tmp_path / "elsewhere"))
        assert create_app().instance_path == str(tmp_path / "elsewhere")
        return
    value, expected = CHANGED[setting.variable]
    monkeypatch.setenv("PUPILVOICE_INSTANCE", str(tmp_path))
    monkeypatch.setenv(setting.variable, value.format(tmp=tmp_path))
    if isinstance(expected, str):
        expected = expected.format(tmp=tmp_path)
    assert create_app().config[setting.name] == expected


def test_what_a_test_passes_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PUPILVOICE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("PUPILVOICE_BUSY_SECONDS", "9")
    assert create_app({"BUSY_SECONDS": 0.2}).config["BUSY_SECONDS"] == 0.2


@pytest.mark.parametrize(
    "variable, value",
    [
        ("PUPILVOICE_HTTPS", "yes"),
        ("PUPILVOICE_TRUSTED_PROXIES", "-1"),
        ("PUPILVOICE_BUSY_SECONDS", "soon"),
        ("PUPILVOICE_MAX_CONTENT_LENGTH", "1e9"),
        ("PUPILVOICE_RETENTION_DAYS", "0"),
        ("PUPILVOICE_STAFF_ABSOLUTE_HOURS", "48"),
    ],
)
def test_a_value_that_cannot_be_used_is_refused_in_one_line(variable, value):
    with pytest.raises(SettingError) as refused:
        Config({variable: value})
    message = str(refused.value)
    assert variable in message and repr(value) in message and "\n" not in message
