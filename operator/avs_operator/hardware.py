"""What this machine offers for inference: CPU architecture, SIMD features and providers.

The hardware class names the features that can change floating-point results (FMA/SIMD
width, GPU), so ``selftest`` reports can be compared between machines of the same class.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from pathlib import Path

from avs.tasks.session import available_providers

# Widest first: the first flag present names the class.
_X86_LEVELS = ("avx512f", "avx2", "avx", "sse4_2")
_ARM_LEVELS = ("sve2", "sve", "asimd")
_GPU_PROVIDERS = {
    "CUDAExecutionProvider": "cuda",
    "TensorrtExecutionProvider": "tensorrt",
    "ROCMExecutionProvider": "rocm",
    "MIGraphXExecutionProvider": "migraphx",
    "DmlExecutionProvider": "directml",
    "CoreMLExecutionProvider": "coreml",
    "OpenVINOExecutionProvider": "openvino",
}


@dataclass(frozen=True, slots=True)
class HardwareInfo:
    """This machine's inference-relevant features."""

    machine: str
    """CPU architecture as the kernel names it (x86_64, aarch64, ...)."""
    cpu_flags: frozenset[str]
    """Feature flags from /proc/cpuinfo (``flags`` on x86, ``Features`` on ARM)."""
    providers: tuple[str, ...]
    """onnxruntime execution providers this build offers."""

    @property
    def simd(self) -> str:
        """Widest SIMD level present (``baseline`` when none of the known ones is)."""
        for level in (*_X86_LEVELS, *_ARM_LEVELS):
            if level in self.cpu_flags:
                return level
        return "baseline"

    @property
    def hardware_class(self) -> str:
        """e.g. ``x86_64-avx2`` or ``x86_64-avx512f+cuda``."""
        accelerators = sorted(_GPU_PROVIDERS[p] for p in self.providers if p in _GPU_PROVIDERS)
        return "+".join([f"{self.machine}-{self.simd}", *accelerators])

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (selftest --json)."""
        return {
            "hardware_class": self.hardware_class,
            "machine": self.machine,
            "simd": self.simd,
            "cpu_flags": sorted(f for f in self.cpu_flags if f in (*_X86_LEVELS, *_ARM_LEVELS)),
            "providers": list(self.providers),
        }


def cpu_flags(cpuinfo: str) -> frozenset[str]:
    """Flags of the first processor listed in a /proc/cpuinfo text."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() in ("flags", "features"):
            return frozenset(value.split())
    return frozenset()


def detect_hardware(cpuinfo_path: Path = Path("/proc/cpuinfo")) -> HardwareInfo:
    """Read this machine's features (no /proc/cpuinfo, e.g. macOS: no flags)."""
    try:
        text = cpuinfo_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    return HardwareInfo(
        machine=platform.machine() or "unknown",
        cpu_flags=cpu_flags(text),
        providers=tuple(available_providers()),
    )
