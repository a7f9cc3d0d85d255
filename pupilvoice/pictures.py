"""The pictures that are not answers: each control's icon and each page's picture.

A child who cannot read finds a control by its picture, so a picture must mean
one thing everywhere: no card in the question bank may use one of these, and
no two of these are the same (tests/test_pictures.py checks the whole bank,
the roles and these together). Templates name a picture by what it means,
never by its file, so this is the one place to change one.

All are Twemoji (CC-BY 4.0), in static/img/twemoji/.
"""

# What the pupil presses or taps.
CONTROLS = {
    "hear": "1f50a",  # the speaker beside every control: "read it to me"
    "continue": "27a1",  # Continue, and Start on the welcome page
    "not_sure": "1f914",  # I'm not sure
    "skip": "23ed",  # Skip this question
    "back": "2b05",  # Back, and every "go back to my questions"
    "talk": "1f64b",  # I want to talk to someone (and the staff's flag for it)
    "private": "1f512",  # Just for my teacher and social worker
    "settings": "1f310",  # Language and settings
    "save": "2705",  # Save on the settings page
    "more_pictures": "1f5bc",  # Choose pictures too
    "change": "270f",  # Change an answer on check answers
    "readers": "1f440",  # Who will read your answers
    "finish": "1f3c1",  # I've finished
    "more_time": "23f3",  # I need more time
}

# What a page shows to say what it is about.
PAGES = {
    "hello": "1f44b",  # welcome, and "please ask your teacher"
    "celebrate": "1f389",  # finished; the "you said, we did" sheet
    "lost": "1f9ed",  # error pages
    "app": "1f4e3",  # the browser tab's icon: a voice heard
}

# Pictures that point a way: mirrored on right-to-left pages.
DIRECTIONAL = frozenset({"continue", "back", "skip"})

EVERY = {**CONTROLS, **PAGES}


def file(name: str) -> str:
    """The picture's file under static/img/twemoji/, by what it means."""
    return f"{EVERY[name]}.svg"
