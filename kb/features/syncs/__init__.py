"""The coordinators' page of syncs from remote folders: the last runs and their problems."""
