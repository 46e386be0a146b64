"""Certified results as blobs: the bytes behind the ``resultHash`` the chain records.

The chain keeps only ``keccak256(resultBytes)``, which is also those bytes' content hash in
the blob store. So once a certificate is submitted, the aggregator keeps the certified
bytes in its blob store, and anyone can fetch them with GetBlob (``avs tasks show``,
``avs blobs get <resultHash>``) and check them against the chain by hash: nothing needs
trusting, and a client needs neither the model nor identical hardware to read the labels.
"""

from __future__ import annotations

from avs.errors import AvsError
from avs.logging import get_logger
from avs.models.hashing import hash_hex
from avs.models.store import BlobStore
from avs.protocol import Task
from avs_aggregator.aggregation import DigestGroup
from avs_aggregator.operators import OperatorSetState
from avs_aggregator.protocols import Certifier, CertifyResult

log = get_logger(component="aggregator")


class PublishingCertifier:
    """A :class:`Certifier` that also stores each submitted result's bytes by their hash."""

    def __init__(self, inner: Certifier, blobs: BlobStore) -> None:
        """Certify with ``inner``; keep result bytes in ``blobs`` (served by GetBlob)."""
        self._inner = inner
        self._blobs = blobs

    def certify(self, task: Task, snapshot: OperatorSetState, group: DigestGroup) -> CertifyResult:
        """Certify, then publish the result bytes (a failed store never fails the certificate)."""
        result = self._inner.certify(task, snapshot, group)
        try:
            self._blobs.put(group.result_bytes)
        except (AvsError, OSError) as exc:
            log.warning(
                "result_not_published",
                task=task.task_index,
                result=hash_hex(group.result_digest),
                error=str(exc),
            )
        return result
