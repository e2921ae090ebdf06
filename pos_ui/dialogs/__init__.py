"""The till's dialogs: modal screens that return their result (`ModalScreen[T]`)."""
