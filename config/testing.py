"""Overrides for the test suite (tests/conftest.py sets the database URL and folders)."""

TESTING = True
SECRET_KEY = "test-secret-key-not-for-production"
WTF_CSRF_ENABLED = False
RATELIMIT_ENABLED = False
MAIL_SERVER = None
PASSWORD_HASH_FAST = True
# The test client calls itself localhost; tests of the Host check set TRUSTED_HOSTS=None.
TRUSTED_HOSTS = []
# Padding is tested on its own (tests/delegates/test_views.py); other tests need no wait.
LOST_LINK_ANSWER_SECONDS = 0
