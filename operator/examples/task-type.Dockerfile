# syntax=docker/dockerfile:1.7
# An operator image that also carries third-party task types: FROM the edge-avs operator
# image, pip install the task types' wheels, check them with the selftest at build time.
#
# Put the wheels (your task-type package and any dependency wheels it needs) in ./wheels and
# build from that directory:
#   docker build -f task-type.Dockerfile \
#     --build-arg OPERATOR_IMAGE=ghcr.io/edge-avs/avs-operator:0.1.0 \
#     --build-arg TASK_TYPES="sentiment" \
#     -t ghcr.io/<you>/avs-operator-sentiment:0.1.0 .
# For a GPU node, base it on the CUDA variant (OPERATOR_IMAGE=...:0.1.0-cuda) and build one
# image per variant. Then point the chart at it: image.repository / image.tag (or
# image.digest), and tests.selftest.requireTaskTypes=[sentiment] so `helm test` fails if a
# node ever runs an image without them (docs/task-types.md).

ARG OPERATOR_IMAGE=ghcr.io/edge-avs/avs-operator:0.1.0
FROM ${OPERATOR_IMAGE}
ARG TASK_TYPES
# The operator image ships without pip (nothing can be installed into it at run time);
# bring pip back for this build step only, install binary wheels only (no compiler in the
# image), then remove pip again.
USER root
COPY wheels /tmp/wheels
RUN set -eux; \
    test -n "$TASK_TYPES"; \
    python -m ensurepip --upgrade; \
    python -m pip install --no-cache-dir --only-binary=:all: --no-index \
        --find-links /tmp/wheels /tmp/wheels/*.whl; \
    python -m pip uninstall -y pip; \
    rm -rf /tmp/wheels
# The same unprivileged user as the base image and the chart's securityContext.
USER 10001:10001
# Fail the build unless every task type is installed and passes its conformance suite here.
RUN set -eux; \
    for t in $TASK_TYPES; do set -- "$@" --require "$t" --task-type "$t"; done; \
    avs operator selftest --providers CPUExecutionProvider "$@"
