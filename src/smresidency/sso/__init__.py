"""Sign-in with the hospital's OpenID Connect provider(s), beside or instead of passwords."""
