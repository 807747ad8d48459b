# Data loaders and evaluator shared by the dataset configs of this folder:
# each one sets its dataset type, root, pipelines and data preprocessor and
# fills `train_dataloader.dataset` / `val_dataloader.dataset` in.
# Shuffled training, ordered evaluation, top-1/top-5 accuracy; the test
# loader is the validation loader.
loader = dict(batch_size=64, num_workers=4, persistent_workers=True)
train_dataloader = dict(
    loader,
    dataset=dict(split='train'),
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    loader,
    dataset=dict(split='val'),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_evaluator = val_evaluator
