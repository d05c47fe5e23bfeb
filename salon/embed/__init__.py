"""Salon's conversation on other sites: the public JSON API and the embeddable widget."""
