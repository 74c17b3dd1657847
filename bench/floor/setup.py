"""acrfloor: the floor of bench/compare.py, an extension that overrides `az acr check-health` and does
(almost) nothing. What any extension pays is what it costs; see azext_acrfloor."""

from setuptools import setup

setup(name="acrfloor", version="0.0.1", packages=["azext_acrfloor"],
      package_data={"azext_acrfloor": ["azext_metadata.json"]}, install_requires=[])
