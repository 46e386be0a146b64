"""Tests of the Helm charts (helm/) and the container images (Dockerfiles)."""
