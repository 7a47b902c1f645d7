import pytest

from app.accounts.policy import local_path


@pytest.mark.parametrize(
    "target",
    ["/account", "/cy/account/profile?saved=1", "/guidance/your-rights#right-4", "/search?q=a%2Fb"],
)
def test_paths_on_this_site_are_kept(target):
    assert local_path(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "account",
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/%09/evil.example".replace("%09", "\t"),
        "https://evil.example/",
        "javascript:alert(1)",
        "/\x00/x",
        "/ok\r\nSet-Cookie: x=1",
        "\\\\evil.example",
    ],
)
def test_anything_that_could_leave_the_site_is_refused(target):
    assert local_path(target) is None
