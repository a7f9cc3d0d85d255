"""The question bank: age bands, questions and picture cards, as data.

This is the one place the questions live. The pupil's pages, the check-answers
page, the staff views and every export read it; the translations are extracted
from it. Wording differs by band; a question with no wording for a band is not
asked in that band.
"""

from dataclasses import dataclass, field

from .i18n import lazy_gettext as _l

BANDS = ("early", "ks2", "ks34", "post16")

BAND_NAMES = {
    "early": _l("Early years and KS1 (ages 4 to 7)"),
    "ks2": _l("KS2 (ages 7 to 11)"),
    "ks34": _l("KS3 and KS4 (ages 11 to 16)"),
    "post16": _l("Post-16 (ages 16 to 18)"),
}

# Younger pupils answer mostly by tapping pictures; older ones mostly type,
# with the pictures tucked away as an option.
TEXT_FIRST_BANDS = frozenset({"ks34", "post16"})

# Bands in which a grown-up usually writes the pupil's words down.
SCRIBE_BANDS = frozenset({"early"})

PEP_SECTIONS = {
    "feelings": _l("How I feel about school"),
    "going_well": _l("What is going well"),
    "hard": _l("What is hard"),
    "helps": _l("What helps me"),
    "targets": _l("My last targets"),
    "hopes": _l("What I would like"),
    "meeting": _l("My meeting"),
}


def band_for_year(year_group: int) -> str:
    """Reception (0) to Year 2 are early years and KS1; Years 12 and 13 post-16."""
    if year_group <= 2:
        return "early"
    if year_group <= 6:
        return "ks2"
    if year_group <= 11:
        return "ks34"
    return "post16"


@dataclass(frozen=True)
class Card:
    id: str
    label: object
    image: str
    bands: frozenset = frozenset(BANDS)


@dataclass(frozen=True)
class Question:
    id: str
    pep_section: str
    # faces and choice take one card, cards take any number, text takes words
    # only, target is asked once for each target from the last PEP.
    kind: str
    prompts: dict
    hints: dict = field(default_factory=dict)
    cards: tuple = ()
    always_private: bool = False
    shows_attendees: bool = False

    @property
    def multiple(self) -> bool:
        return self.kind == "cards"


def every_band(text) -> dict:
    return dict.fromkeys(BANDS, text)


def card(id, label, image, bands=BANDS) -> Card:
    return Card(id, label, f"{image}.svg", frozenset(bands))


OLDER = ("ks34", "post16")

# The hint on the picture questions: the young tap, the older write.
PICTURES_OR_WORDS = {
    "early": _l("Choose as many pictures as you like."),
    "ks2": _l("Choose as many pictures as you like."),
    "ks34": _l("Write as much or as little as you like."),
    "post16": _l("Write as much or as little as you like."),
}
YOUNGER = ("early", "ks2")

FACES = (
    card("great", _l("Really good"), "1f604", ("ks2", "ks34", "post16")),
    card("good", _l("Good"), "1f642"),
    card("okay", _l("OK"), "1f610"),
    card("not_good", _l("Not good"), "1f641"),
    card("bad", _l("Really bad"), "1f622", ("ks2", "ks34", "post16")),
)

# A card that more than one question offers is the same card everywhere: the
# same words and the same picture, so a child who cannot read knows it again.
TEACHER = card("teacher", _l("A teacher"), "1f9d1-200d-1f3eb")
TRUSTED_ADULT = card("trusted_adult", _l("An adult I trust"), "1f917")
# Plain words: "carer" would tell a classmate who reads the screen.
LIVE_WITH = card("carer", _l("Someone I live with"), "1f3e0")
COURSE = card("course", _l("My course or training"), "1f4d8", ("post16",))
YOUNGER_AND_KS34 = ("early", "ks2", "ks34")

TARGET_CARDS = (
    card("went_well", _l("It went well"), "1f31f"),
    card("some", _l("Some of it went well"), "26c5"),
    card("not_yet", _l("Not yet"), "1f331"),
)

BANK: tuple[Question, ...] = (
    Question(
        id="feel",
        pep_section="feelings",
        kind="faces",
        prompts={
            "early": _l("How do you feel about school?"),
            "ks2": _l("How do you feel about school?"),
            "ks34": _l("How do you feel about school at the moment?"),
            "post16": _l("How do you feel about school or college at the moment?"),
        },
        hints=every_band(_l("Choose the face that fits best.")),
        cards=FACES,
    ),
    Question(
        id="going_well",
        pep_section="going_well",
        kind="cards",
        prompts={
            "early": _l("What do you like at school?"),
            "ks2": _l("What is going well at school?"),
            "ks34": _l("What is going well at school?"),
            "post16": _l("What is going well in your studies or training?"),
        },
        hints=PICTURES_OR_WORDS,
        cards=(
            card("friends", _l("My friends"), "1f9d1-200d-1f91d-200d-1f9d1"),
            card("lesson", _l("A lesson I enjoy"), "1f4da"),
            TEACHER,
            card("clubs", _l("Clubs"), "265f"),
            card("sport", _l("Sport"), "26bd"),
            card("reading", _l("Reading"), "1f4d6"),
            card("on_time", _l("Being on time"), "23f0"),
            card("playtime", _l("Playtime"), "1f6dd", YOUNGER),
            card("music", _l("Music"), "1f3b5"),
            card("progress", _l("My grades are getting better"), "1f4c8", OLDER),
            card("work", _l("Work experience"), "1f9d1-200d-1f527", ("post16",)),
            COURSE,
        ),
    ),
    Question(
        id="proud",
        pep_section="going_well",
        kind="cards",
        prompts=every_band(_l("What are you proud of?")),
        hints={
            "early": _l("Choose as many pictures as you like."),
            "ks2": _l("Choose as many pictures as you like."),
            "ks34": _l("It can be something at school or out of school."),
            "post16": _l("It can be in your studies, at work or at home."),
        },
        cards=(
            card("trying_hard", _l("Trying hard"), "1f4aa"),
            card("kind", _l("Being kind"), "1faf6"),
            card("learning", _l("Learning something new"), "1f4a1"),
            card("brave", _l("Being brave"), "1f981"),
            card("prize", _l("Winning a prize"), "1f3c6"),
            card("passed", _l("Passing an exam or a course"), "1f4dc", OLDER),
        ),
    ),
    Question(
        id="hard",
        pep_section="hard",
        kind="cards",
        prompts={
            "early": _l("What is hard at school?"),
            "ks2": _l("What is hard at school?"),
            "ks34": _l("What is hard at school at the moment?"),
            "post16": _l("What is hard at the moment?"),
        },
        hints=PICTURES_OR_WORDS,
        cards=(
            card("lesson", _l("A lesson"), "1f4d0"),
            card("friendships", _l("Friendships"), "1f465"),
            card("worried", _l("Feeling worried"), "1f61f"),
            card("noise", _l("Noise"), "1f649"),
            card("homework", _l("Homework"), "1f4dd", ("ks2", "ks34", "post16")),
            card("getting_there", _l("Getting to school"), "1f68c", YOUNGER_AND_KS34),
            card("travel", _l("Getting to college or work"), "1f686", ("post16",)),
            card("money", _l("Money"), "1f4b7", ("post16",)),
            card("housing", _l("A place to live"), "1f3d8", ("post16",)),
            card("concentrating", _l("Concentrating"), "1f9e0"),
            card("tests", _l("Tests and exams"), "1f5d2", ("ks2", "ks34", "post16")),
            card("tired", _l("Feeling tired"), "1f634"),
        ),
    ),
    Question(
        id="helps",
        pep_section="helps",
        kind="cards",
        prompts={
            "early": _l("Who or what helps you at school?"),
            "ks2": _l("Who or what helps you at school?"),
            "ks34": _l("Who or what helps you?"),
            "post16": _l("Who or what helps you?"),
        },
        hints=PICTURES_OR_WORDS,
        cards=(
            TEACHER,
            TRUSTED_ADULT,
            card("friends", _l("My friends"), "1f9d1-200d-1f91d-200d-1f9d1"),
            LIVE_WITH,
            card("adviser", _l("My personal adviser"), "1f5fa", ("post16",)),
            card("quiet_place", _l("A quiet place"), "1f33f"),
            card("talk", _l("Time to talk"), "1f4ac"),
            card("extra_help", _l("Extra help with my work"), "1faf4"),
            card("breaks", _l("Short breaks"), "23f8"),
            card("exercise", _l("Being active"), "1f3c3"),
        ),
    ),
    Question(
        id="targets",
        pep_section="targets",
        kind="target",
        prompts={
            "early": _l("Your target was: %(target)s. How did it go?"),
            "ks2": _l("Your target was: %(target)s. How did it go?"),
            "ks34": _l("Your last target was: %(target)s. How did it go?"),
            "post16": _l("Your last target was: %(target)s. How did it go?"),
        },
        hints=every_band(_l("You can say more in your own words if you like.")),
        cards=TARGET_CARDS,
    ),
    Question(
        id="better_at",
        pep_section="hopes",
        kind="cards",
        prompts={
            "early": _l("What would you like to get better at?"),
            "ks2": _l("What would you like to get better at?"),
            "ks34": _l("What would you like to get better at this year?"),
            "post16": _l("What would you like to get better at this year?"),
        },
        hints=PICTURES_OR_WORDS,
        cards=(
            card("reading", _l("Reading"), "1f4d6", YOUNGER_AND_KS34),
            card("writing", _l("Writing"), "270d", YOUNGER_AND_KS34),
            card("maths", _l("Maths"), "1f522"),
            card("science", _l("Science"), "1f52c", YOUNGER_AND_KS34),
            card(
                "friends",
                _l("Making friends"),
                "1f9d1-200d-1f91d-200d-1f9d1",
                YOUNGER_AND_KS34,
            ),
            card("sport", _l("Sport"), "26bd", YOUNGER_AND_KS34),
            card("art", _l("Art"), "1f3a8", YOUNGER_AND_KS34),
            card("music", _l("Music"), "1f3b5", YOUNGER_AND_KS34),
            # Post-16: their course, work, and living on their own.
            COURSE,
            card("work_ready", _l("Getting ready for work"), "1f454", ("post16",)),
            card("cooking", _l("Cooking"), "1f373", ("post16",)),
            card("managing_money", _l("Managing money"), "1fa99", ("post16",)),
            card("travel_alone", _l("Travelling on my own"), "1f3ab", ("post16",)),
            card("living_alone", _l("Living on my own"), "1f511", ("post16",)),
        ),
    ),
    Question(
        id="grow_up",
        pep_section="hopes",
        kind="cards",
        prompts={
            "early": _l("What would you like to be when you grow up?"),
            "ks2": _l("What would you like to do when you are older?"),
            "ks34": _l("What would you like to do after Year 11?"),
            "post16": _l("What would you like to do next?"),
        },
        hints={
            "early": _l("Choose a picture, or tell your grown-up."),
            "ks2": _l("Choose as many pictures as you like."),
            "ks34": _l("Sixth form, college, an apprenticeship, a job: anything."),
            "post16": _l("College, university, training, work: anything."),
        },
        cards=(
            card("doctor", _l("Doctor or nurse"), "1f9d1-200d-2695-fe0f", YOUNGER),
            card("scientist", _l("Scientist"), "1f9d1-200d-1f52c", YOUNGER),
            card("chef", _l("Chef"), "1f9d1-200d-1f373", YOUNGER),
            card("artist", _l("Artist"), "1f9d1-200d-1f3a8", YOUNGER),
            card("builder", _l("Builder"), "1f477", YOUNGER),
            card("teacher", _l("Teacher"), "1f9d1-200d-1f3eb", YOUNGER),
            card("firefighter", _l("Firefighter"), "1f9d1-200d-1f692", YOUNGER),
            card("animals", _l("Working with animals"), "1f43e", YOUNGER),
            card("sixth_form", _l("Sixth form"), "1f3eb", ("ks34",)),
            card("college", _l("College"), "1f393", OLDER),
            card("university", _l("University"), "1f3db", ("post16",)),
            card("apprenticeship", _l("An apprenticeship"), "1f6e0", OLDER),
            card("job", _l("A job"), "1f4bc", OLDER),
        ),
    ),
    Question(
        id="options",
        pep_section="hopes",
        kind="text",
        prompts={
            "ks34": _l("Which subjects would you like to choose for your GCSEs?"),
            "post16": _l("What would help you get ready to live on your own one day?"),
        },
        hints={
            "ks34": _l("If you have already chosen, tell us how you feel about it."),
            "post16": _l(
                "For example cooking, money, travel or finding a place to live."
            ),
        },
    ),
    Question(
        id="meeting_who",
        pep_section="meeting",
        kind="text",
        shows_attendees=True,
        # The youngest answer by tapping, as on every other page; older
        # pupils write who else they would like.
        cards=(
            card("someone_else", _l("Yes, someone else"), "1f464", YOUNGER),
            card("just_these", _l("No, just these people"), "1f197", YOUNGER),
        ),
        prompts={
            "early": _l(
                "These people are coming to your meeting. Would you like anyone else there?"
            ),
            "ks2": _l(
                "These people are coming to your meeting. Would you like anyone else there?"
            ),
            "ks34": _l(
                "These people are invited to your meeting. Is there anyone else you would like there?"
            ),
            "post16": _l(
                "These people are invited to your meeting. Is there anyone else you would like there?"
            ),
        },
    ),
    Question(
        id="meeting_come",
        pep_section="meeting",
        kind="choice",
        prompts={
            "early": _l("Would you like to come to your meeting?"),
            "ks2": _l("Would you like to come to your meeting?"),
            "ks34": _l("Would you like to come to your meeting?"),
            "post16": _l("Would you like to come to your meeting?"),
        },
        cards=(
            card("all", _l("Yes, all of it"), "1f44d"),
            card("part", _l("Yes, part of it"), "1f90f"),
            card("not_this_time", _l("Not this time"), "1f44e"),
        ),
    ),
    Question(
        id="meeting_share",
        pep_section="meeting",
        kind="choice",
        prompts={
            "early": _l("How would you like people to hear what you think?"),
            "ks2": _l("How would you like people to hear what you think?"),
            "ks34": _l("How would you like your views to be shared at the meeting?"),
            "post16": _l("How would you like your views to be shared at the meeting?"),
        },
        hints=every_band(_l("If someone will speak for you, you can write who.")),
        cards=(
            card("myself", _l("I will say them myself"), "1f5e3"),
            card("read_out", _l("Someone reads out my answers"), "1f4c4"),
            card("trusted_adult", _l("An adult I trust speaks for me"), "1f91d"),
        ),
    ),
    Question(
        id="speak_for_me",
        pep_section="meeting",
        kind="cards",
        prompts={
            "early": _l(
                "Is there something you want a grown-up to say for you at the meeting? Who?"
            ),
            "ks2": _l(
                "Is there something you want a grown-up to say for you at the meeting? Who?"
            ),
            "ks34": _l(
                "Is there anything you would like an adult to say for you at the meeting? Who should say it?"
            ),
            "post16": _l(
                "Is there anything you would like an adult to say for you at the meeting? Who should say it?"
            ),
        },
        hints={
            "early": _l("Choose who. Then tell them what to say."),
            "ks2": _l("Choose who. Then tell them what to say."),
            "ks34": _l("Write what they should say, and who should say it."),
            "post16": _l("Write what they should say, and who should say it."),
        },
        cards=(TEACHER, TRUSTED_ADULT, LIVE_WITH),
    ),
    Question(
        id="meeting_time",
        pep_section="meeting",
        kind="cards",
        prompts={
            "early": _l("When is a good time for your meeting?"),
            "ks2": _l("When is a good time for your meeting?"),
            "ks34": _l("When would be a good time for your meeting?"),
            "post16": _l("When would be a good time for your meeting?"),
        },
        # Children ask not to be taken out of a lesson they love.
        hints={
            "early": _l("Is there something you do not want to miss? Tell us."),
            "ks2": _l(
                "Is there a lesson or something you do not want to miss? Tell us."
            ),
            "ks34": _l("Tell us about any lesson or club you do not want to miss."),
            "post16": _l(
                "Tell us about any class, work or plans you do not want to miss."
            ),
        },
        cards=(
            card("morning", _l("In the morning"), "1f305"),
            card("afternoon", _l("In the afternoon"), "1f31e"),
            card("end_of_day", _l("At the end of the day"), "1f306"),
        ),
    ),
    Question(
        id="anything_else",
        pep_section="meeting",
        kind="cards",
        prompts={
            "early": _l(
                "Is there anything else you want the grown-ups at your meeting to know?"
            ),
            "ks2": _l(
                "Is there anything else you want the grown-ups at your meeting to know?"
            ),
            "ks34": _l(
                "Is there anything else you want the people at your meeting to know?"
            ),
            "post16": _l(
                "Is there anything else you want the people at your meeting to know?"
            ),
        },
        hints={
            "early": _l("Choose a picture, or tell your grown-up."),
            "ks2": _l("Choose a picture, or say it in your own words."),
            "ks34": _l("Write as much or as little as you like."),
            "post16": _l("Write as much or as little as you like."),
        },
        cards=(
            card("family", _l("My family"), "1f46a"),
            card("home", _l("Home"), "1f6cb"),
            card("fun", _l("Things I do for fun"), "1fa81"),
            card("health", _l("My health"), "1fa79"),
        ),
    ),
    Question(
        id="private_note",
        pep_section="meeting",
        kind="text",
        always_private=True,
        # Something the youngest can tap; the adult beside them then listens.
        # "No" is Skip, so that nothing private is recorded when there is none.
        cards=(
            card(
                "something_to_tell",
                _l("Yes, I want to tell them something"),
                "1f442",
                YOUNGER,
            ),
        ),
        prompts={
            "early": _l(
                "Is there anything you want only your teacher and social worker to know?"
            ),
            "ks2": _l(
                "Is there anything you want only your teacher and social worker to know?"
            ),
            "ks34": _l(
                "Is there anything you want to keep between you, your teacher and your social worker?"
            ),
            "post16": _l(
                "Is there anything you want to keep between you, your teacher and your social worker?"
            ),
        },
        hints=every_band(
            _l(
                "This will not be shared at the meeting. If you are worried about your safety, they may need to tell someone who can help."
            )
        ),
    ),
)

QUESTIONS = {q.id: q for q in BANK}

# Who is coming to the meeting, as the pupil is told it beside each name: in
# words a five-year-old knows, never a job title that says the child is in care
# (docs/pupil-words.md). Staff see the titles: roles.ATTENDEE_ROLES.
ROLES = {
    "designated_teacher": (
        _l("A teacher who helps you at school"),
        "1f9d1-200d-1f3eb.svg",
    ),
    "carer": (_l("Someone you live with"), "1f3e0.svg"),
    "social_worker": (_l("Your social worker"), "1f9d1-200d-1f4bc.svg"),
    "virtual_school": (_l("Someone who helps your school to help you"), "1f392.svg"),
    "iro": (
        _l("Someone who checks you get the help you need"),
        "1f4cb.svg",
    ),
    "educational_psychologist": (
        _l("Someone who finds out how you learn best"),
        "1f9e9.svg",
    ),
    "other": (_l("Someone else"), "1f464.svg"),
}
