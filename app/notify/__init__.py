"""Messages to people: e-mail now; SMS and webhooks come with the notifications work."""
