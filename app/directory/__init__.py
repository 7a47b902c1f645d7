"""The support directory: real support services, as data in ``content/services.yaml``, read by
the guidance pages and the referral flow alike."""
