"""Each workshop's link field suggests an address on the platform that workshop is about."""

import re

from tests.immersion.test_evidence import text_of
from tests.immersion.test_evidence import world as world  # the fixture

PAGE = "/courses/social-media-residency/immersion"


def hint_of(page: str, item_id: str) -> str:
    return re.search(rf'id="url-{re.escape(item_id)}-help">([^<]+)<', page).group(1)


def test_hints_follow_the_platform_of_each_workshop(client, login_as, world):
    login_as(user=world["ann"])
    page = text_of(client.get(PAGE))
    hints = dict(re.findall(r'id="url-([\w-]+)-help">([^<]+)<', page))
    assert len(hints) >= 4
    assert "instagram.com" in hint_of(page, "instagram-post")
    assert "pinterest.com" in hint_of(page, "pinterest-board")
    assert "youtube.com" in hint_of(page, "short-video")
    assert "facebook.com" in hint_of(page, "facebook-post")
    # not every item says facebook.com any more
    assert sum("facebook.com" in h for h in hints.values()) == 1
