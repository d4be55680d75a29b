"""Tidu (梯度): the platform on which provinces run their manufacturing transformation programmes."""
