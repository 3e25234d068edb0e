"""Disputes (矛盾纠纷): the parties of a case that needs mediation and its mediation agreements."""
