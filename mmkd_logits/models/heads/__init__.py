from .serial_cls_head import SerialClsHead, SerializationLayer

__all__ = ['SerialClsHead', 'SerializationLayer']
