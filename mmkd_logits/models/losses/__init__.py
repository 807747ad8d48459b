from .aekt_loss import AEKTLoss, aekt_ratio  # noqa: F401
from .ldrld_loss import LDRLDLoss  # noqa: F401
from .rld_loss import RLDLoss  # noqa: F401
from .sdd_loss import (SDDLoss, sdd_complementary_mask,  # noqa: F401
                       sdd_region_weights)
__all__ = ['LDRLDLoss', 'RLDLoss', 'AEKTLoss', 'aekt_ratio', 'SDDLoss',
           'sdd_region_weights', 'sdd_complementary_mask']
