"""The analysis of trained models that ``tools/analysis/`` draws: LDRLD's
ADW weights, teacher vs student logit relations, SDD's regions."""
from . import adw, common, logit_relations, sdd_regions
from .adw import adw_matrix, plot_adw
from .logit_relations import (analyse_relations, default_tau_topk,
                              plot_relations, relation_stats)
from .sdd_regions import (CATEGORIES, analyse_regions, plot_examples,
                          plot_fractions, region_settings, region_stats)

__all__ = [
    'adw', 'common', 'logit_relations', 'sdd_regions', 'adw_matrix',
    'plot_adw', 'default_tau_topk', 'relation_stats', 'plot_relations',
    'analyse_relations', 'CATEGORIES', 'region_settings', 'region_stats',
    'plot_fractions', 'plot_examples', 'analyse_regions'
]
