"""The special-category guard (GDPR art. 9): health, religion, politics, union membership,
sex life or orientation, racial or ethnic origin, detected in any text before it is stored.

A helper package below every domain (it imports none), so that ``sources`` can screen posts,
bios and mentions as they are imported, and ``signals``, ``reputation``, ``portal`` and
``outreach`` can screen what reaches them, all with the one guard.
"""
