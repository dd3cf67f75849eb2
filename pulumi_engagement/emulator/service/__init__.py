"""The service itself: ssm-contacts' resources and their rules, as a moto service package
(``models`` / ``responses`` / ``urls`` / ``exceptions``; moto finds ``urls`` beside ``models``).
"""
