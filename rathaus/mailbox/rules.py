"""Only the person a conversation belongs to sees it (staff read the case, not the mailbox)."""

import rules


@rules.predicate
def is_thread_person(user, thread) -> bool:
    return thread is not None and user.is_authenticated and thread.person_id == user.pk


rules.add_perm("mailbox.view_thread", is_thread_person)
