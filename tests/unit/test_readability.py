from app.content.readability import grade, prose


def test_lists_and_headings_count_as_their_own_sentences():
    text = prose("## What you can do\n\n- call the police\n- get support\n")
    assert text == "What you can do. call the police. get support."


def test_links_tables_and_callouts_are_not_counted_as_prose():
    text = prose(
        "Read [your rights](/guidance/your-rights).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
        "::: danger\nCall [999](tel:999).\n:::\n"
    )
    assert text == "Read your rights. Call 999."


def test_short_sentences_score_lower_than_long_ones():
    easy = "You can get help. It is free. Call us today."
    hard = (
        "Comprehensive institutional arrangements facilitate the availability of "
        "multidisciplinary assistance irrespective of procedural considerations."
    )
    assert grade(easy) < 4 < grade(hard)
    assert grade("") == 0.0
