#!/usr/bin/env python
"""acrhealth: an Azure CLI extension providing `az acr check-health`."""

from setuptools import find_packages, setup

VERSION = "0.2.0"

CLASSIFIERS = [
    "Development Status :: 4 - Beta",
    "Intended Audience :: Developers",
    "Intended Audience :: System Administrators",
    "Programming Language :: Python :: 3",
    "Programming Language :: Python :: 3.11",
    "License :: OSI Approved :: MIT License",
]

with open("README.md", encoding="utf-8") as f:
    README = f.read()
with open("HISTORY.rst", encoding="utf-8") as f:
    HISTORY = f.read()

setup(
    name="acrhealth",
    version=VERSION,
    description="Diagnose Docker, Helm, DNS, TLS, proxy and Azure AD problems with an Azure Container Registry.",
    long_description=README + "\n\n" + HISTORY,
    long_description_content_type="text/markdown",
    license="MIT",
    author="acrhealth developers",
    url="https://aka.ms/acr/health-check",
    classifiers=CLASSIFIERS,
    packages=find_packages(include=["azext_acrhealth", "azext_acrhealth.*"]),
    package_data={"azext_acrhealth": ["azext_metadata.json"]},
    # Everything needed at run time (requests, knack, azure-cli-core) ships with azure-cli.
    install_requires=[],
)
