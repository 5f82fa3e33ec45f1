"""Certification: who may use social channels (certificates, policy acknowledgements), low in
the domain order so that every service that guards a social action can ask it."""
