from .aekt_loss import AEKTLoss, aekt_ratio  # noqa: F401
from .ldrld_loss import LDRLDLoss  # noqa: F401
from .rld_loss import RLDLoss  # noqa: F401
from .sdd_loss import SDDLoss, sdd_region_weights  # noqa: F401
__all__ = ['LDRLDLoss', 'RLDLoss', 'AEKTLoss', 'aekt_ratio', 'SDDLoss',
           'sdd_region_weights']
